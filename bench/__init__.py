"""The page benchmark (`make bench`); never imported by the application."""
