"""The builder → ProblemData contract: eligible pairs, caps and scores as immutable arrays."""
