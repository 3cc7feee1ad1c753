//! Issue 19: an invitation code sent as a message (alone, after MOI, in lower case, grouped
//! with spaces, inside a pasted invitation with its link) redeems it on every channel, and a
//! guess not even shaped like a code does not count toward the lockout of wrong codes.

mod console;
mod telegram;
mod zalo;
