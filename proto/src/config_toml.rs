//! Reading a program's TOML configuration as a whole, linkerd2-proxy style:
//! every bad or unknown key is collected, so an operator sees all of them at
//! once. Shared by `bilik-server` and `bilik-agent`.

/// Parses a configuration text, then applies every `--set` override,
/// adding a line to `errors` for each bad one. A syntax error in the text
/// is returned alone (nothing else can be read after it).
pub fn read_with_overrides(
    text: &str,
    overrides: &[String],
    errors: &mut Vec<String>,
) -> Result<toml::Table, String> {
    let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    for item in overrides {
        if let Err(e) = apply_override(&mut table, item) {
            errors.push(e);
        }
    }
    Ok(table)
}

/// `section.key=value` (from `--set`) into `table`; the value is TOML if it
/// parses as such, else a bare string.
pub fn apply_override(table: &mut toml::Table, item: &str) -> Result<(), String> {
    let (path, raw) = item
        .split_once('=')
        .ok_or_else(|| format!("--set {item:?}: expected section.key=value"))?;
    let (section, key) = path
        .trim()
        .split_once('.')
        .ok_or_else(|| format!("--set {item:?}: expected section.key=value"))?;
    let value = match format!("v = {raw}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.trim().to_owned()),
    };
    let entry = table
        .entry(section.to_owned())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    match entry.as_table_mut() {
        Some(t) => {
            t.insert(key.trim().to_owned(), value);
            Ok(())
        }
        None => Err(format!("--set {item:?}: {section} is not a section")),
    }
}

/// Takes keys out of tables, collecting every error. What is left in a
/// table afterwards is unknown ([`TomlReader::unknown`]).
#[derive(Debug)]
pub struct TomlReader<'a> {
    /// Where problems accumulate, one line each.
    pub errors: &'a mut Vec<String>,
}

impl TomlReader<'_> {
    /// Removes and returns section `name` (empty if absent or not a table).
    pub fn section(&mut self, table: &mut toml::Table, name: &str) -> toml::Table {
        match table.remove(name) {
            None => toml::Table::new(),
            Some(toml::Value::Table(t)) => t,
            Some(_) => {
                self.errors
                    .push(format!("{name}: expected a section [{name}]"));
                toml::Table::new()
            }
        }
    }

    /// A text key (`path` is `section.key`), parsed by `parse`.
    pub fn text<T>(
        &mut self,
        table: &mut toml::Table,
        path: &str,
        out: &mut T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) {
        let key = path.rsplit('.').next().unwrap_or(path);
        match table.remove(key) {
            None => {}
            Some(toml::Value::String(s)) => match parse(&s) {
                Ok(v) => *out = v,
                Err(e) => self.errors.push(format!("{path}: {e}: {s:?}")),
            },
            Some(other) => self.errors.push(format!(
                "{path}: expected a text, found {}",
                other.type_str()
            )),
        }
    }

    /// A whole-number key within `min..=max`.
    pub fn uint<T: TryFrom<i64>>(
        &mut self,
        table: &mut toml::Table,
        path: &str,
        min: i64,
        max: i64,
        out: &mut T,
    ) {
        let key = path.rsplit('.').next().unwrap_or(path);
        match table.remove(key) {
            None => {}
            Some(toml::Value::Integer(n)) if (min..=max).contains(&n) => {
                if let Ok(v) = T::try_from(n) {
                    *out = v;
                }
            }
            Some(other) => self.errors.push(format!(
                "{path}: expected a whole number {min}..={max}, found {other}"
            )),
        }
    }

    /// A true/false key.
    pub fn boolean(&mut self, table: &mut toml::Table, path: &str, out: &mut bool) {
        let key = path.rsplit('.').next().unwrap_or(path);
        match table.remove(key) {
            None => {}
            Some(toml::Value::Boolean(b)) => *out = b,
            Some(other) => self
                .errors
                .push(format!("{path}: expected true or false, found {other}")),
        }
    }

    /// Reports every section left in the top-level `table` as unknown.
    pub fn unknown_sections(&mut self, table: toml::Table) {
        for key in table.keys() {
            self.errors.push(format!("{key}: unknown section"));
        }
    }

    /// Reports every key left in `table` as unknown.
    pub fn unknown(&mut self, table: toml::Table, section: &str) {
        for key in table.keys() {
            self.errors.push(format!("{section}.{key}: unknown key"));
        }
    }
}
