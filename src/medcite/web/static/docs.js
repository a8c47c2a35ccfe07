/* Starts Swagger UI (served from the installed fastapi-swagger package) on /docs. */
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({ url: root.getAttribute("data-openapi-url"), domNode: root });
})();
