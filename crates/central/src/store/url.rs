//! Database URLs as logs and errors may show them.

/// A database URL fit for a log or an error: the password in `user:password@` and any
/// `password=` parameter replaced by `***`.
pub fn redacted(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn passwords_never_leave_a_database_url() {
        assert_eq!(
            redacted("postgres://visits:s3cret@db.prison.example:5432/visits?sslmode=require"),
            "postgres://visits:***@db.prison.example:5432/visits?sslmode=require"
        );
        assert_eq!(
            redacted("postgresql://db/visits?user=visits&password=s3cret"),
            "postgresql://db/visits?user=visits&password=***"
        );
        assert_eq!(
            redacted("postgres://visits@db/visits"),
            "postgres://visits@db/visits"
        );
        assert_eq!(
            redacted("sqlite:///var/lib/central.db"),
            "sqlite:///var/lib/central.db"
        );
        assert_eq!(redacted("central.db"), "central.db");
    }
}
