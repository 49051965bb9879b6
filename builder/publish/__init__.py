"""Publishing: diff a build's manifest against a target (local folder or S3) and sync it."""
