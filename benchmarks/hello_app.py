"""The baseline: a bare Flask hello-world, served by gunicorn with the same settings as the platform."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
