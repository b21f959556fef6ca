"""Tests of the ledger: a half year kept across monthly meetings."""
