import HTTPTypes

extension HTTPFields {
    /// `self[name]` for the common case of one field with that name, without `subscript`'s
    /// lazily joined sequence (a string built even when there is only one value); a repeated name
    /// still gets the joined value `subscript` gives. A POST reads five headers this way.
    func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return self[name] }
            found = field.value
        }
        return found
    }
}
