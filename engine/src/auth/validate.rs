//! The rules for what a user types: usernames, passwords and token names, each
//! refused with a message that says what would be accepted.

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// 3 to 32 of `a-z 0-9 _ . -` (lower case, so `Alice` and `alice` are one name).
pub fn validate_username(username: &str) -> Result<(), String> {
    let length = username.chars().count();
    if !(3..=32).contains(&length) {
        return Err(format!("a username has 3 to 32 characters ({length} given)"));
    }
    if !username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b)) {
        return Err("a username uses only a-z, 0-9, `_`, `.` and `-`".into());
    }
    Ok(())
}

/// 10 to 1024 characters (argon2 hashes any length; the bound keeps requests small).
pub fn validate_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(format!("a password needs at least {MIN_PASSWORD_CHARS} characters"));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(format!("a password has at most {MAX_PASSWORD_CHARS} characters"));
    }
    Ok(())
}

/// 1 to 64 printable characters, the name a user gives a token ("sim rig").
pub fn validate_token_name(name: &str) -> Result<(), String> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 {
        return Err("a token name has 1 to 64 characters".into());
    }
    if trimmed.chars().any(char::is_control) {
        return Err("a token name cannot hold control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(validate_username("alice").is_ok());
        assert!(validate_username("a.b-c_9").is_ok());
        assert!(validate_username("al").is_err());
        assert!(validate_username("Alice").is_err());
        assert!(validate_username("al ice").is_err());
        assert!(validate_username(&"a".repeat(33)).is_err());
    }

    #[test]
    fn passwords() {
        assert!(validate_password("0123456789").is_ok());
        assert!(validate_password("012345678").unwrap_err().contains("at least 10"));
        assert!(validate_password(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn token_names() {
        assert!(validate_token_name("sim rig").is_ok());
        assert!(validate_token_name("  ").is_err());
        assert!(validate_token_name("a\u{7}b").is_err());
    }
}
