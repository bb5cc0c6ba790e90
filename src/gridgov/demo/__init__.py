"""The Shantou demo district (濠江区, 440512)."""
