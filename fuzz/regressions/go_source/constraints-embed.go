//go:build (((((linux
package main
//go:embed "a b" all:web/dist
var x = 1
