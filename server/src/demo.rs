//! Demo mode (filled in below).
