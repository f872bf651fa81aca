"""Review: comments on blocks, replies, endorsements, and (for editors) decisions."""
