"""The assistance desk: requests for assistance from and to counterparts abroad, the directory of
24/7 contacts, their safeguards, personal-data ledger, forms and exchange
(``docs/assistance.md``)."""
