"""``/docs``: the API's reference in Swagger UI, from files served by Tocsin itself
(``static/swagger-ui``, swagger-ui-dist 5, Apache-2.0) under the same content security policy
as every page: no script from another host, no inline script, no call to the online validator.
The description it reads is ``/api/v1/openapi.json``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API · Tocsin</title>
  <link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
  <link rel="stylesheet" href="/static/swagger-page.css">
</head>
<body>
  <main>
    <h1 class="visually-hidden">Tocsin's API</h1>
    <p class="swagger-note"><a href="/console">Back to the console</a> ·
      <a href="/api/v1/openapi.json">the OpenAPI description</a> · calls need a token
      (your account page makes one): "Authorize", then "Bearer" and the token.</p>
    <div id="swagger-ui"></div>
  </main>
  <script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
