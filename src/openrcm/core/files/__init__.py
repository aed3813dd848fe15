"""Pure pieces of the file store: sealing (AES-256-GCM) and upload checks. No Django."""
