"""Second factor (TOTP and recovery codes, django-otp): mandatory for lawyers and admins."""
