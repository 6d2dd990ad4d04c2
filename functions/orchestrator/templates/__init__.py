"""Templates as data: the step-graph model and the catalog of shipped templates."""
