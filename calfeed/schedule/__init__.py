"""Schedule files to the validated model and its airings: YAML reading, fields, shows, releases, wall clock, regions."""
