import AgoraContent
import AgoraTheme

/// The fingerprints of a product's and a person's own template values, written field by field.
///
/// They are the bytes `CanonicalEncoder` writes for `context()`'s dictionary (a map in key order),
/// without making the dictionary, sorting its keys and casting each value back from `Any`: that was
/// a tenth of a one-product rebuild's samples, for every product and person of the site. A test
/// holds each to `Fingerprint.of(context())` over products and people that use every field, so a
/// value added to `context()` and forgotten here fails it.
extension CanonicalEncoder {
    /// A map's tag and size; its entries follow, each a `key` and a value, in key order.
    mutating func beginMap(_ count: Int) {
        bytes.append(0x7B)
        append(UInt64(count))
    }

    mutating func key(_ name: StaticString) {
        bytes.append(0x73)
        append(UInt64(name.utf8CodeUnitCount))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    mutating func append(flag: Bool) {
        bytes.append(flag ? 0x54 : 0x46)
    }

    mutating func append(int: Int) {
        append(int: Int64(int))
    }

    mutating func append(int: Int64) {
        bytes.append(0x69)
        append(UInt64(bitPattern: int))
    }

    mutating func append(deferred: DeferredHTML) {
        bytes.append(0x68)
        append(deferred.key)
    }

    mutating func append(_ thumbnail: Thumbnail) {
        beginMap(4)
        key("height"); append(int: thumbnail.size.height)
        key("srcset"); append(thumbnail.srcset)
        key("url"); append(thumbnail.url)
        key("width"); append(int: thumbnail.size.width)
    }

    mutating func append(_ display: DisplayImage?) {
        guard let display else { return append(flag: false) }
        beginMap(5)
        key("height"); append(int: display.height)
        key("src"); append(display.src)
        key("srcset"); append(display.srcset)
        key("webp_srcset")
        if display.webpSrcset.isEmpty { append(flag: false) } else { append(display.webpSrcset) }
        key("width"); append(int: display.width)
    }

    mutating func append(_ maker: PersonLink) {
        beginMap(maker.url == nil ? 3 : 4)
        key("has_page"); append(flag: maker.url != nil)
        key("name"); append(maker.name)
        if let url = maker.url { key("url"); append(url) }
        key("username"); append(maker.username)
    }

    /// Front-matter `params`: few and small, through the general path.
    mutating func append(params: [String: ParamValue]) {
        append(map: TemplateValue.params(params))
    }
}

extension ProductView {
    /// `Fingerprint.of(context())`, without the dictionary.
    func contextFingerprint() -> Fingerprint {
        var encoder = CanonicalEncoder()
        let stock = product.stock
        let tags = TagGroup.distinct(product.tags)
        encoder.beginMap(maker == nil ? 25 : 26)
        encoder.key("available"); encoder.append(flag: product.available)
        encoder.key("category")
        encoder.beginMap(3)
        encoder.key("name"); encoder.append(categoryName)
        encoder.key("slug"); encoder.append(product.category)
        encoder.key("url"); encoder.append(SitePaths.category(product.category))
        encoder.key("date"); encoder.append(product.date)
        encoder.key("date_display"); encoder.append(DateDisplay.long(product.date))
        encoder.key("description_html"); encoder.append(deferred: descriptionHTML)
        encoder.key("display"); encoder.append(display)
        encoder.key("excerpt"); encoder.append(excerpt)
        encoder.key("has_image"); encoder.append(flag: hasImage)
        encoder.key("has_tags"); encoder.append(flag: !product.tags.isEmpty)
        encoder.key("image_absolute_url"); encoder.append(imageAbsoluteURL)
        encoder.key("image_url"); encoder.append(imageURL)
        encoder.key("in_stock"); encoder.append(flag: stock > 0)
        encoder.key("low_stock"); encoder.append(flag: stock > 0 && stock <= 5)
        if let maker { encoder.key("maker"); encoder.append(maker) }
        encoder.key("name"); encoder.append(product.name)
        encoder.key("params"); encoder.append(params: product.params)
        encoder.key("price"); encoder.append(product.price.decimalString)
        encoder.key("price_display"); encoder.append(priceDisplay)
        encoder.key("price_minor"); encoder.append(int: product.price.minorUnits)
        encoder.key("sku"); encoder.append(product.sku)
        encoder.key("slug"); encoder.append(product.slug)
        encoder.key("stock"); encoder.append(int: stock)
        // A list of maps, as `[[String: Any]]` is written.
        encoder.key("tags")
        encoder.bytes.append(0x5B)
        encoder.append(UInt64(tags.count))
        for tag in tags {
            encoder.beginMap(3)
            encoder.key("name"); encoder.append(tag)
            encoder.key("slug"); encoder.append(SitePaths.tagSlug(tag))
            encoder.key("url"); encoder.append(SitePaths.tag(tag))
        }
        encoder.key("thumb"); encoder.append(thumbnails?[.card] ?? .placeholder(imageURL, .card))
        encoder.key("thumb_small"); encoder.append(thumbnails?[.small] ?? .placeholder(imageURL, .small))
        encoder.key("url"); encoder.append(url)
        return encoder.fingerprint()
    }
}

extension PersonView {
    /// `Fingerprint.of(context())`, without the dictionary; with `productCount`, of the context
    /// with `product_count` added (as lists show a person).
    func contextFingerprint(productCount: Int? = nil) -> Fingerprint {
        var encoder = CanonicalEncoder()
        let website = person.website
        encoder.beginMap(14 + (productCount == nil ? 0 : 1) + (website == nil ? 0 : 1))
        encoder.key("active"); encoder.append(flag: person.active)
        encoder.key("bio_html"); encoder.append(deferred: bioHTML)
        encoder.key("excerpt"); encoder.append(excerpt)
        encoder.key("has_photo"); encoder.append(flag: hasPhoto)
        encoder.key("initials"); encoder.append(initials)
        encoder.key("location")
        if let location = person.location { encoder.append(location) } else { encoder.append(flag: false) }
        encoder.key("name"); encoder.append(person.name)
        encoder.key("params"); encoder.append(params: person.params)
        encoder.key("photo_url"); encoder.append(photoURL)
        if let productCount { encoder.key("product_count"); encoder.append(int: productCount) }
        encoder.key("thumb"); encoder.append(thumbnails?[.card] ?? .placeholder(photoURL, .card))
        encoder.key("thumb_small"); encoder.append(thumbnails?[.small] ?? .placeholder(photoURL, .small))
        encoder.key("url"); encoder.append(url)
        encoder.key("username"); encoder.append(person.username)
        encoder.key("website")
        if let website {
            encoder.append(website)
            encoder.key("website_display"); encoder.append(websiteDisplay(website))
        } else {
            encoder.append(flag: false)
        }
        return encoder.fingerprint()
    }
}
