"""Requests for assistance: the records and the rules of the 24/7 point of contact's traffic under
the Budapest Convention, its Second Protocol, the EU e-Evidence rules, the UN Convention against
Cybercrime and bilateral treaties (``docs/assistance.md``).

- ``bases``: the closed list of legal bases and each one's required elements, article by article
  (``instruments`` declares the bases, ``elements`` their elements);
- ``states``: the lifecycle every request shares, its refusal grounds and non-execution reasons;
- ``identifiers``: typed identifiers (an address with its port and UTC time, an e-mail…);
- ``clocks``: the deadlines each instrument sets, declared as data with their source;
- ``request``: the records (a request, a 24/7 contact, a step of its history, a ledger entry).
"""
