import Mustache

/// swift-mustache's parser errors in words a theme author can act on, instead of their case names
/// (`unfinishedName`).
enum TemplateErrorWords {
    static func explain(_ error: Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        switch error {
        case .sectionCloseNameIncorrect:
            return "this closing tag does not match the section it closes; {{/name}} must repeat the name of the last {{#name}} or {{^name}} still open"
        case .unfinishedName:
            return "a tag is not finished: every {{ needs its }} (and {{{ its }}}), with a name in between"
        case .expectedSectionEnd:
            return "a section is never closed: {{#name}}, {{^name}}, {{$name}} and {{<name}} each need a matching {{/name}}"
        case .invalidSetDelimiter:
            return "the set-delimiter tag is malformed; it reads like {{=<% %>=}}"
        case .transformAppliedToInheritanceSection:
            return "a transform such as uppercased(…) cannot be applied to {{<parent}} or {{$block}}"
        case .illegalTokenInsideInheritSection, .textInsideInheritSection:
            return "inside {{<parent}}…{{/parent}} only {{$block}}…{{/block}} overrides may appear"
        case .invalidConfigVariableSyntax:
            return "the {{% … }} pragma is malformed; it reads like {{% CONTENT_TYPE: TEXT }}"
        case .unrecognisedConfigVariable:
            return "unknown {{% … }} pragma; the one Mustache knows is CONTENT_TYPE"
        }
    }
}
