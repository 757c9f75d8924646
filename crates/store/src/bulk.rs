//! Multi-row `INSERT … VALUES (…), (…), …` statements: one statement per few hundred rows instead
//! of one per row, which is most of the cost of writing many rows through a database driver.

/// Rows per multi-row statement for narrow tables (up to 13 columns: under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters).
pub(crate) const ROWS: usize = 1000;

/// `head` followed by `rows` tuples; `template` has one entry per column, in which `$` stands for
/// that column's parameter (so a column can be wrapped, as in `to_tsvector('simple', $)`).
/// Parameters are numbered `$1…` row after row for PostgreSQL; SQLite gets anonymous `?`, because
/// it resolves named parameters by a linear search (quadratic in a statement with thousands of
/// them: 1.3 s instead of milliseconds for 400 case rows).
pub(crate) fn rows_sql(head: &str, template: &[&str], rows: usize, numbered: bool) -> String {
    let mut sql = String::with_capacity(head.len() + rows * template.len() * 6);
    sql.push_str(head);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for (c, t) in template.iter().enumerate() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if numbered {
                sql.push_str(&t.replacen('$', &format!("${n}"), 1));
            } else {
                sql.push_str(&t.replacen('$', "?", 1));
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parameters_row_after_row() {
        assert_eq!(
            rows_sql("INSERT INTO t (a, b) VALUES ", &["$", "f($)"], 2, true),
            "INSERT INTO t (a, b) VALUES ($1, f($2)), ($3, f($4))"
        );
        assert_eq!(rows_sql("X ", &["$"], 1, true), "X ($1)");
        assert_eq!(rows_sql("X ", &["$", "$"], 2, false), "X (?, ?), (?, ?)");
    }
}
