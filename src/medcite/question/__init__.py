"""Reading a question once, before retrieval: intent, topic, aspects, follow-up rewriting."""
