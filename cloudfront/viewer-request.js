// Quire viewer-request function (CloudFront Functions, runtime cloudfront-js-2.0).
// The build renders this file with the site's alias map in REDIRECTS
// (builder/publish/cloudfront_function.py); as checked in, the map is empty.
// Rules, in order (see cloudfront/README.md):
//  1. /api and /api/* pass through untouched (the API origin owns them).
//  2. Paths that cannot name a published file are refused: 414 when too long,
//     400 for backslashes, control or raw non-ASCII characters (browsers send
//     UTF-8 percent-encoded), bad percent-encoding, encoded slashes and "." or
//     ".." segments (plain or %2e-encoded).
//     The publisher's state under /.quire/ answers 404.
//  3. Repeated slashes are collapsed with a 301, so "//host" can never become
//     a protocol-relative Location.
//  4. An alias from the build's redirect map answers 301 to its target.
//     Account pages that moved under /api (mails sent before the move link to
//     /account/verify/ and /account/reset/, valid 48 hours at most) answer 301
//     there; the browser keeps the "#token=" fragment across the redirect.
//  5. "/dir/" is served from "/dir/index.html"; "/dir" (no extension in the
//     last segment) answers 301 to "/dir/". Redirects keep the query string.
var REDIRECTS = /*QUIRE_REDIRECTS*/{};
var MAX_URI = 2048;
var MOVED = {'/account/verify': '/api/account/verify', '/account/reset': '/api/account/reset'};

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri === '/api' || uri.indexOf('/api/') === 0) {
        return request;
    }
    if (uri.length > MAX_URI) {
        return refuse(414, 'URI Too Long');
    }
    if (uri.charAt(0) !== '/' || /[\\\x00-\x20\x7f-\uffff]/.test(uri)) {
        return refuse(400, 'Bad Request');
    }
    var raw = uri.split('/');
    var kept = [];
    var names = [];
    for (var i = 1; i < raw.length; i++) {
        var seg = raw[i];
        var last = i === raw.length - 1;
        if (seg === '' && !last) {
            continue;
        }
        var name;
        try {
            name = decodeURIComponent(seg);
        } catch (e) {
            return refuse(400, 'Bad Request');
        }
        if (name === '.' || name === '..' || /[\/\\\x00-\x1f\x7f]/.test(name)) {
            return refuse(400, 'Bad Request');
        }
        kept.push(seg);
        names.push(name);
    }
    var clean = '/' + kept.join('/');
    if (clean !== uri) {
        return redirect(clean, request.querystring);
    }
    // The publisher keeps its state (file hashes, the lock) under /.quire/ in the
    // same bucket: readers have no business there.
    if (names[0] === '.quire') {
        return refuse(404, 'Not Found');
    }
    var key = '/' + names.join('/');
    if (key.slice(-11) === '/index.html') {
        key = key.slice(0, -10);
    }
    if (key.length > 1 && key.charAt(key.length - 1) === '/') {
        key = key.slice(0, -1);
    }
    if (Object.prototype.hasOwnProperty.call(REDIRECTS, key)) {
        return redirect(REDIRECTS[key], request.querystring);
    }
    if (Object.prototype.hasOwnProperty.call(MOVED, key)) {
        return redirect(MOVED[key], request.querystring);
    }
    var tail = names[names.length - 1];
    if (tail === '') {
        request.uri = uri + 'index.html';
    } else if (tail.indexOf('.') === -1) {
        return redirect(uri + '/', request.querystring);
    }
    return request;
}

function redirect(location, querystring) {
    var query = serialize(querystring);
    return {
        statusCode: 301,
        statusDescription: 'Moved Permanently',
        headers: {
            'location': { value: query ? location + '?' + query : location },
            'cache-control': { value: 'public, max-age=3600' }
        }
    };
}

// Values arrive percent-encoded as the viewer sent them, so they are joined
// back as they are; re-encoding would double-encode.
function serialize(querystring) {
    var parts = [];
    for (var name in querystring) {
        var entry = querystring[name];
        var values = entry.multiValue ? entry.multiValue : [entry];
        for (var j = 0; j < values.length; j++) {
            parts.push(values[j].value === '' ? name : name + '=' + values[j].value);
        }
    }
    return parts.join('&');
}

function refuse(status, description) {
    return {
        statusCode: status,
        statusDescription: description,
        headers: { 'cache-control': { value: 'public, max-age=60' } }
    };
}
