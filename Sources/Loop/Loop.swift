// Loop module.
