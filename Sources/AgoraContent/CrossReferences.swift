/// Checks between files: unique keys and references that must name something that exists.
struct CrossReferences {
    let staticFiles: Set<String>

    func check(categories: [ItemKeys], products: [ItemKeys], people: [ItemKeys], pages: [ItemKeys], log: inout IssueLog) {
        unique(categories, key: "slug", log: &log)
        unique(products, key: "slug", log: &log)
        unique(products, key: "sku", log: &log)
        unique(people, key: "username", log: &log)
        unique(pages, key: "slug", log: &log)

        let categorySlugs = Set(categories.compactMap { $0["slug"] })
        let usernames = Set(people.compactMap { $0["username"] })
        for product in products {
            let source = product.location
            if let category = product["category"], !categorySlugs.contains(category) {
                log.add(source.file, source.line(of: "category"), "category",
                        "\(quoted(category)) does not exist (known: \(knownList(categorySlugs)))")
            }
            if let maker = product["maker"], !usernames.contains(maker) {
                log.add(source.file, source.line(of: "maker"), "maker",
                        "\(quoted(maker)) does not exist in content/people/ (known: \(knownList(usernames)))")
            }
            if let image = product["image"] { checkFile(image, key: "image", source: source, log: &log) }
        }
        for person in people {
            if let photo = person["photo"] { checkFile(photo, key: "photo", source: person.location, log: &log) }
        }
    }

    private func checkFile(_ path: String, key: String, source: SourceLocation, log: inout IssueLog) {
        guard !staticFiles.contains(path) else { return }
        log.add(source.file, source.line(of: key), key, "\(quoted(path)) does not exist under content/")
    }

    /// Reports each repeat of a key on the later file, naming where it was first used.
    private func unique(_ items: [ItemKeys], key: String, log: inout IssueLog) {
        var first: [String: SourceLocation] = [:]
        for item in items {
            guard let itemValue = item[key] else { continue }
            let location = item.location
            if let earlier = first[itemValue] {
                log.add(location.file, location.line(of: key), key,
                        "\(quoted(itemValue)) is also used by \(earlier.file):\(earlier.line(of: key))")
            } else {
                first[itemValue] = location
            }
        }
    }

    private func knownList(_ names: Set<String>) -> String {
        let sorted = names.sorted()
        if sorted.isEmpty { return "none" }
        return sorted.prefix(8).joined(separator: ", ") + (sorted.count > 8 ? ", ..." : "")
    }
}
