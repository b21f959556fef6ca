"""Reading and validating what the user gives: files, the policy, the vocabulary of codes."""
