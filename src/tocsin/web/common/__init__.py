"""What the console, the portal, the API and TAXII share: sessions, the acting person and the
services a route needs (``deps``), the one template environment (``rendering``), the pages' error
mapping, the pages' formats of time, and the portal's languages and words. These four import this
package and never each other."""
