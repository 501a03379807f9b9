"""follows"""
