"""Figures for parliament: tables from fixed code lists, disclosure control, releases."""
