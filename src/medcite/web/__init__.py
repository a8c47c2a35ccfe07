"""The medcite web app and REST API (the ``[web]`` extra); see ``medcite.web.app.create_app``."""
