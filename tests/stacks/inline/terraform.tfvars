environment     = "staging"
artifact_bucket = "release-artifacts-shared"
artifact_key    = "inline/worker-1.4.2.zip"
