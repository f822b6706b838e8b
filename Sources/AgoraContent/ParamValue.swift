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
