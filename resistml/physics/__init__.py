"""The built-in physics simulator of negative chemically amplified resists."""
