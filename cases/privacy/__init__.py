"""Data protection (RGPD / CNIL): retention of closed cases, a victim's right of access (art. 15)
and right to erasure (art. 17)."""
