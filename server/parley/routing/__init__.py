"""Who answers: the queue, the assignment policy, the transactional claim, presence, hours."""
