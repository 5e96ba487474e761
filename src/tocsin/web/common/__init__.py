"""What the console, the portal, the API and TAXII share, beside them: the typed state of the app
and the dependencies a route takes from it (``deps``, the one reader of ``request.app.state``),
sessions, the one template environment (``rendering``), the pages' error mapping and time
formats, the portal's languages and words, the middleware, and remembered credentials. The four
import this package and never each other (pyproject's import-linter contracts)."""
