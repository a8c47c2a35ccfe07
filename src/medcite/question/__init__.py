"""Question understanding: what a question is about and what it asks, read once.

Between retrieval and composing: :mod:`medcite.question.reading` turns a question (and the
thread it belongs to) into a :class:`~medcite.question.reading.QuestionReading` — its topic
and the other concepts an answer must name, in the corpus's own vocabulary
(:mod:`medcite.question.vocabulary`), every aspect asked (:mod:`medcite.question.aspects`) and
the population — from which retrieval's queries are built and by which composers lock their
statements to the topic (:mod:`medcite.question.topic`).
"""
