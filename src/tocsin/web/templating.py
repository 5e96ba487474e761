"""Jinja2 templates with autoescaping; the one place pages get rendered from."""

from __future__ import annotations

from importlib import resources

from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(resources.files("tocsin.web").joinpath("templates")))
