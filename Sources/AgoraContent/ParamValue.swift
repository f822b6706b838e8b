/// A front-matter value whose key Agora does not know; passed to templates under `params`.
public enum ParamValue: Hashable, Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([ParamValue])
    case map([String: ParamValue])
    case null
}

extension ParamValue {
    /// The value as Mustache sees it: strings, numbers, booleans, arrays and dictionaries.
    public var templateValue: Any {
        switch self {
        case .string(let string): return string
        case .int(let int): return int
        case .double(let double): return double
        case .bool(let bool): return bool
        case .list(let list): return list.map(\.templateValue)
        case .map(let map): return map.mapValues(\.templateValue)
        case .null: return false
        }
    }
}
