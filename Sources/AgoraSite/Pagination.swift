/// Splitting a list into pages, with the links a template needs.
struct Pagination: Sendable {
    let current: Int
    let total: Int
    let url: @Sendable (Int) -> String

    /// Cuts `items` into pages of `size`; an empty list still has one (empty) page.
    static func pages<Item>(_ items: [Item], size: Int) -> [ArraySlice<Item>] {
        guard !items.isEmpty else { return [[]] }
        return stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }

    func context() -> [String: Any] {
        var values: [String: Any] = [
            "current": current, "total": total, "has_pages": total > 1,
            "has_prev": current > 1, "has_next": current < total,
            "pages": visiblePages().map { number -> [String: Any] in
                number == 0 ? ["gap": true] : ["number": number, "url": url(number), "current": number == current]
            },
        ]
        if current > 1 { values["prev_url"] = url(current - 1) }
        if current < total { values["next_url"] = url(current + 1) }
        return values
    }

    /// First, last and the neighbours of the current page; 0 marks a gap.
    private func visiblePages() -> [Int] {
        guard total > 1 else { return [] }
        let wanted = Set([1, total] + Array(max(1, current - 2)...min(total, current + 2)))
        var result: [Int] = []
        for number in wanted.sorted() {
            if let last = result.last, number > last + 1 { result.append(0) }
            result.append(number)
        }
        return result
    }
}
