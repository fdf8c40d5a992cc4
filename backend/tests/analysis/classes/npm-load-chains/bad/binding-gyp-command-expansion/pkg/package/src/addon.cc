// addon
