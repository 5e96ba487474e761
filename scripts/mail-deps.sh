#!/usr/bin/env bash
# Installs what the mailbox tests need: Debian's dovecot (IMAP over TLS), which the tests start as a
# throwaway server of their own on a loopback port (tests/imap.py). The system's own dovecot
# service is never used; the tests' server reads only its own configuration. Also Debian's
# poppler-utils: the tests read printed requests for assistance back with pdftotext.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/sbin/dovecot ]; then
  echo "Installing Debian's dovecot-imapd for the mailbox tests..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dovecot-imapd >/dev/null
fi
if ! command -v pdftotext >/dev/null 2>&1; then
  echo "Installing Debian's poppler-utils (pdftotext) for the printed forms' tests..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq poppler-utils >/dev/null
fi
