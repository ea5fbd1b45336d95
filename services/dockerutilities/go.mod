module github.com/shipshape/services/dockerutilities

go 1.24
