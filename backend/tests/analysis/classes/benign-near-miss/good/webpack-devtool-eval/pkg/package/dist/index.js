/******/ (() => { // webpackBootstrap
/******/ 	var __webpack_modules__ = ({
/***/ "./src/codec.js":
/***/ ((module) => {
eval("module.exports = {\n  decode: (s) => Buffer.from(s, 'base64').toString('utf8'),\n  fromHex: (h) => Buffer.from(h, 'hex'),\n  unzip: (b) => require('zlib').inflateSync(b),\n  text: (c) => String.fromCharCode(...c),\n};\n\n//# sourceURL=webpack://ui-bundle/./src/codec.js?");
/***/ }),
/***/ "./src/index.js":
/***/ ((module, __unused_webpack_exports, __webpack_require__) => {
eval("const codec = __webpack_require__(/*! ./codec */ \"./src/codec.js\");\nmodule.exports = { atob: (s) => codec.decode(s) };\n\n//# sourceURL=webpack://ui-bundle/./src/index.js?");
/***/ })
/******/ 	});
/******/ 	var __webpack_module_cache__ = {};
/******/ 	function __webpack_require__(moduleId) {
/******/ 		var cached = __webpack_module_cache__[moduleId];
/******/ 		if (cached !== undefined) return cached.exports;
/******/ 		var module = __webpack_module_cache__[moduleId] = { exports: {} };
/******/ 		__webpack_modules__[moduleId](module, module.exports, __webpack_require__);
/******/ 		return module.exports;
/******/ 	}
/******/ 	var __webpack_exports__ = __webpack_require__("./src/index.js");
/******/ 	module.exports = __webpack_exports__;
/******/ })()
;
