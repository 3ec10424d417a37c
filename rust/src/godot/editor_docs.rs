//! The class reference shown in Godot's editor help (F1). gdext's
//! `register-docs` feature turns the `///` comments of the classes, `#[func]`s,
//! `#[var]`s and `#[signal]`s into XML and hands it to the editor when the
//! extension loads at the editor stage.

#[cfg(test)]
mod tests {
    /// Writes the XML documents the editor receives, one `<class>.xml` per class,
    /// into `$WSP_DOCS_OUT`, for `ci/doc-check.sh`.
    #[test]
    #[ignore = "run by ci/doc-check.sh"]
    fn dump_editor_docs() {
        let dir = std::env::var("WSP_DOCS_OUT").expect("set WSP_DOCS_OUT to a folder");
        std::fs::create_dir_all(&dir).unwrap();
        for xml in ::godot::docs::__gather_xml_docs() {
            let name = xml
                .split("<class name=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("a <class name=...> element")
                .to_string();
            std::fs::write(format!("{dir}/{name}.xml"), &xml).unwrap();
        }
    }
}
