"""The run lifecycle: planning and start, the step runner, status, control (approval, cancel),
compensation and map manifests."""
