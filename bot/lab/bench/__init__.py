"""The benchmarks of `pixbot bench`: `broadcast` (the delivery engine against a fake Bot API),
`updates` (learners through the real dispatcher and database) and `search` (the tips library's
search CPU time)."""
