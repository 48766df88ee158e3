"""The serving core without Flask: what a worker serves, and how it is loaded, kept, replaced."""
