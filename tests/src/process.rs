//! Real processes (filled in below).
