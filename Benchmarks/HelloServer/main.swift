// The floor under `agora serve`: Hummingbird alone answering the no-database request with the same
// bytes Agora sends (an empty cart and the same headers), with no middleware, session, log or store.
// `scripts/bench-server.sh` runs it beside Agora so that each figure has its ceiling in the same run.
//   .build/release/BenchHello 18091
import HTTPTypes
import Hummingbird

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 18091
let body = ByteBuffer(string: #"{"count":0,"currency":"EUR","items":[],"summary":"Your cart is empty","total":"0.00"}"#)
var headers = HTTPFields()
headers[.contentType] = "application/json; charset=utf-8"
headers[.cacheControl] = "no-store"
headers[.xContentTypeOptions] = "nosniff"
headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
let router = Router()
router.get("/api/cart") { [headers] _, _ in Response(status: .ok, headers: headers, body: .init(byteBuffer: body)) }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "Agora"))
try await app.runService()
