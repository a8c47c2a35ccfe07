/* medcite's own progressive enhancement. Without it every control still works as a plain
   link or form; with it the audience switch and follow-ups fetch only the answer fragment
   (with "X-Medcite-Fragment: 1": /ask for the audience, a POST to /threads for follow-ups)
   and swap or append it without reloading the page. With an LLM configured, questions
   asked in the search form show the model's draft while it is written (server-sent events). */
"use strict";
(function () {
  document.documentElement.classList.add("js");

  function status(text) {
    var live = document.getElementById("live-status");
    if (live) live.textContent = text;
  }

  function formUrl(form) {
    var params = new URLSearchParams(new FormData(form));
    return form.getAttribute("action") + "?" + params.toString();
  }

  /* Fetch an answer fragment (GET, or a form POST when `body` is given). Resolves to
     {article, thread}: thread is the conversation's URL when the server keeps one. On any
     failure `fallback` runs instead (a full page load of the same request). */
  function fetchAnswer(url, body, fallback) {
    var init = { headers: { "X-Medcite-Fragment": "1", Accept: "text/html" } };
    if (body) {
      init.method = "POST";
      init.body = body;
    }
    var thread = null;
    return fetch(url, init)
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        thread = response.headers.get("X-Medcite-Thread");
        return response.text();
      })
      .then(function (html) {
        var box = document.createElement("div");
        box.innerHTML = html; /* server-rendered, autoescaped, same origin */
        var article = box.querySelector("article.answer");
        if (!article) throw new Error("no answer in response");
        enhance(article);
        return { article: article, thread: thread };
      })
      .catch(function () {
        if (fallback) fallback(); else window.location.assign(url);
        throw new Error("reloading");
      });
  }

  function focusTitle(article) {
    var title = article.querySelector("h1");
    if (title) title.focus();
  }

  function onAudienceChange(event) {
    var form = event.target.form;
    if (!form || !form.classList.contains("audience")) return;
    var old = form.closest("article.answer");
    var url = formUrl(form);
    status("Rewriting the answer for this reader…");
    fetchAnswer(url).then(function (result) {
      var article = result.article;
      old.replaceWith(article);
      var followUp = document.getElementById("follow-up");
      if (followUp && !article.nextElementSibling) followUp.elements.audience.value = event.target.value;
      var alone = !article.nextElementSibling && !article.previousElementSibling;
      if (alone && window.location.pathname === "/ask") {
        window.history.replaceState(null, "", url);
      }
      status("Answer updated.");
      var checked = article.querySelector("input[name=audience]:checked");
      if (checked) checked.focus();
    }, function () {});
  }

  /* The follow-up box posts to a thread (a new one on /ask); the answer is appended and the
     address becomes the thread's, so reloading or sharing shows the whole conversation. */
  function onFollowUp(event) {
    var form = event.target;
    if (form.id !== "follow-up") return;
    var input = form.elements.q;
    var question = input.value.trim();
    if (!question) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    status("Answering…");
    input.disabled = true;
    fetchAnswer(form.getAttribute("action"), body, function () {
      input.disabled = false;
      form.submit();
    })
      .then(function (result) {
        document.getElementById("thread").appendChild(result.article);
        if (result.thread) {
          form.setAttribute("action", result.thread);
          form.querySelectorAll("input[name=history]").forEach(function (h) { h.remove(); });
          window.history.pushState(null, "", result.thread);
        }
        input.value = "";
        input.disabled = false;
        status("Answer added below.");
        focusTitle(result.article);
      }, function () {});
  }

  /* With an LLM configured the search form carries data-stream: the model's draft is shown
     as it is written (clearly not yet verified), then the answer page opens, which the server
     renders from the answer just streamed and verified. Any failure opens the same page. */
  function onStreamedAsk(event) {
    var form = event.target;
    var streamUrl = form.getAttribute("data-stream");
    if (!streamUrl || !window.EventSource) return;
    event.preventDefault();
    var query = new URLSearchParams(new FormData(form)).toString();
    var pageUrl = form.getAttribute("action") + "?" + query;
    var old = document.getElementById("draft");
    if (old) old.remove();
    var draft = document.createElement("section");
    draft.id = "draft";
    draft.className = "draft";
    draft.setAttribute("aria-live", "polite");
    draft.setAttribute("aria-busy", "true");
    var title = document.createElement("h2");
    title.textContent = "Writing… (not yet verified)";
    var text = document.createElement("p");
    text.className = "draft-text";
    draft.append(title, text);
    form.after(draft);
    form.querySelector("button[type=submit]").disabled = true;
    status("Writing the answer; citations are checked before it is shown…");
    var source = new EventSource(streamUrl + "?" + query);
    function open() {
      source.close();
      window.location.assign(pageUrl);
    }
    source.addEventListener("delta", function (e) { text.textContent += JSON.parse(e.data).text; });
    source.addEventListener("fallback", function () {
      title.textContent = "The model failed; writing a verified extractive answer instead…";
    });
    source.addEventListener("answer", open);
    source.addEventListener("error", open); /* an error event, or the connection failed */
  }

  /* Touch screens cannot hover: the first tap on a citation opens its preview. */
  function onCitationClick(event) {
    var link = event.target.closest ? event.target.closest("a.cite") : null;
    document.querySelectorAll(".cite-wrap.open").forEach(function (open) {
      if (!link || open !== link.parentNode) open.classList.remove("open");
    });
    if (!link || !window.matchMedia("(hover: none)").matches) return;
    var wrap = link.parentNode;
    if (!wrap.classList.contains("open")) {
      event.preventDefault();
      wrap.classList.add("open");
    }
  }

  function onKey(event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".cite-wrap.open").forEach(function (open) {
      open.classList.remove("open");
    });
    var active = document.activeElement;
    if (active && active.classList.contains("cite")) active.blur();
  }

  function copy(button) {
    var label = button.textContent;
    fetch(button.getAttribute("data-copy-url"))
      .then(function (response) { return response.text(); })
      .then(function (text) { return navigator.clipboard.writeText(text); })
      .then(function () { button.textContent = "Copied"; },
            function () { button.textContent = "Copy failed: use the link"; })
      .then(function () { setTimeout(function () { button.textContent = label; }, 2000); });
  }

  function onButton(event) {
    var button = event.target.closest ? event.target.closest("button[type=button]") : null;
    if (!button) return;
    if (button.hasAttribute("data-copy-url")) copy(button);
    if (button.hasAttribute("data-print")) window.print();
  }

  function enhance(root) {
    root.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  }

  enhance(document);
  document.addEventListener("change", onAudienceChange);
  document.addEventListener("submit", onFollowUp);
  document.addEventListener("submit", onStreamedAsk);
  document.addEventListener("click", onCitationClick);
  document.addEventListener("click", onButton);
  document.addEventListener("keydown", onKey);
})();
