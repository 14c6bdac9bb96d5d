//! Matching (todo)
